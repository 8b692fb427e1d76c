"""The registry of every table: importing this module gives Base.metadata all of them
(Alembic, tests, tools). It sits above the domains; recall.db knows none of them."""

from recall.accounts import models as accounts
from recall.associations import models as associations
from recall.auth import models as auth
from recall.cases import models as cases
from recall.common import models as common
from recall.cultivations import models as cultivations
from recall.db import Base
from recall.files import models as files
from recall.programmes import models as programmes
from recall.reference import models as reference
from recall.reports import models as reports
from recall.standards import models as standards

DOMAINS = (
    accounts, associations, auth, cases, common, cultivations, files, programmes, reference,
    reports, standards,
)  # fmt: skip
metadata = Base.metadata

__all__ = ["Base", "DOMAINS", "metadata"]
