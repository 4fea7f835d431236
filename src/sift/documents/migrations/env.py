from sift.core.migrations import run_migrations
from sift.documents.models import Base

run_migrations(Base.metadata)
