"""Privacy requests (GDPR export and erasure): opened here, answered by every service."""
