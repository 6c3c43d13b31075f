"""Form questions: reading what people type into typed answers."""
