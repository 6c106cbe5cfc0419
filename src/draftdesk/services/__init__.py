"""Services: the business logic that the UI, the API and the CLI all call."""
