/* Self-check quizzes (trcourse.sphinxext.quiz): show right/wrong and the chosen option's feedback. */
"use strict";

function trqShowFeedback(question, input) {
  const right = input.dataset.correct === "true";
  const verdict = document.createElement("strong");
  verdict.textContent = right ? "✓ Correct. " : "✗ Not quite. ";
  const output = question.querySelector(".trq-feedback");
  output.replaceChildren(verdict, document.createTextNode(input.dataset.feedback));
  output.classList.toggle("trq-right", right);
  output.classList.toggle("trq-wrong", !right);
  question.querySelectorAll(".trq-option").forEach((label) => {
    const chosen = label.contains(input);
    label.classList.toggle("trq-right", chosen && right);
    label.classList.toggle("trq-wrong", chosen && !right);
  });
}

function trqInit() {
  document.querySelectorAll(".trq-question").forEach((question) => {
    question.addEventListener("change", (event) => trqShowFeedback(question, event.target));
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", trqInit);
} else {
  trqInit();
}
