"""Evidence documents: upload, checked type, content-addressed storage (local disk or S3), guarded download."""
