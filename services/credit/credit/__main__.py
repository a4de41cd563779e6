from credit.config import CreditSettings
from shared.serve import serve

serve("credit.main:create_app", CreditSettings())
