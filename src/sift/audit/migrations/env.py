from sift.core.migrations import run_migrations
from sift.audit.models import Base

run_migrations(Base.metadata)
