"""Evidence files (photos, test reports), stored in the database so every replica sees them."""
