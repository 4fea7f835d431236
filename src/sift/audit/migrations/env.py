from sift.audit.models import Base
from sift.core.migrations import run_migrations

run_migrations(Base.metadata)
