from sift.core.migrations import run_migrations
from sift.assistant.models import Base

run_migrations(Base.metadata)
