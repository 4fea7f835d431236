from sift.core.migrations import run_migrations
from sift.identity.models import Base

run_migrations(Base.metadata)
