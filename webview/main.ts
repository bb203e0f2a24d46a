/**
 * The dashboard's front end. (Placeholder until the dashboard lands.)
 */
document.body.textContent = 'Upkeep dashboard';
