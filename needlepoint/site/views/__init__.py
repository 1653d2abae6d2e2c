"""Public pages: booking, the health questionnaire, consents, the calendar feed."""
