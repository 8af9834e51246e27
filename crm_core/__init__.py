"""CRM core: typed data model, database, write services, demo data and predictive models."""
