"""The findings (constats) of the diagnostic partagé: atouts, faiblesses, besoins, ressources, each with its
source and evidence; the enjeux of the plan cite them (issue 13)."""
