from wages.config import WagesSettings
from shared.serve import serve

serve("wages.main:create_app", WagesSettings())
