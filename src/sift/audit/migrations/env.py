from sift.audit.log import models as log_models  # noqa: F401 - its tables
from sift.audit.models import Base
from sift.core.migrations import run_migrations

run_migrations(Base.metadata)
