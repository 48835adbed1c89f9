// Loaded in <head> before the page is drawn: tells the style sheet that scripts run,
// so the phone menu starts folded (egov.js opens it) instead of flashing open.
document.documentElement.classList.add("js");
