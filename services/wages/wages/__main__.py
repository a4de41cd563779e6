from shared.serve import serve
from wages.config import WagesSettings

serve("wages.main:create_app", WagesSettings())
