"""The public advert pages at ``/apprenticeship/reference/{reference}``: what the Display
advert API shows for a live advert, as a GOV.UK page. Every ``vacancyUrl`` the API sends
points here (compatibility.md D10)."""
