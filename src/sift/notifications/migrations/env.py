from sift.core.migrations import run_migrations
from sift.notifications.consents import models as consent_models  # noqa: F401 - its tables
from sift.notifications.delivery import models as delivery_models  # noqa: F401 - its tables
from sift.notifications.models import Base
from sift.notifications.preferences import models as preference_models  # noqa: F401 - its tables
from sift.notifications.sms import models as sms_models  # noqa: F401 - its tables

run_migrations(Base.metadata)
