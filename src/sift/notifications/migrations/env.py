from sift.core.migrations import run_migrations
from sift.notifications.models import Base

run_migrations(Base.metadata)
