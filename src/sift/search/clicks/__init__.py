"""Result clicks: the web app reports which result of a search someone opened."""
