from complaints.config import ComplaintsSettings
from shared.serve import serve

serve("complaints.main:create_app", ComplaintsSettings())
