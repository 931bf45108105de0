"""Cross-cutting helpers every feature may use; they import no feature package."""
