from complaints.config import ComplaintsSettings
from shared.serve import serve

serve("complaints.main:create_server_app", ComplaintsSettings())
