"""Sessions, a sub-domain of the collectives: training days, regional learning collectives, site coaching and
webinars; attendance, the live continuum exercise, free outputs, reminders and the personal calendar feed.

models.py (imported by `collectives.models`), services.py and its neighbours, forms.py, views/, urls.py
(namespace `sessions`); templates under templates/sessions/.
"""
