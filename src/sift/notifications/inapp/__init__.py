"""In-app notifications: the inbox, its unread count and its live SSE feed."""
