from sift.core.migrations import run_migrations
from sift.search.models import Base

run_migrations(Base.metadata)
