"""Keyboard shortcuts of the workspace: the JavaScript that presses the buttons, and its hint.

The script only clicks buttons by their elem_id, so every shortcut runs exactly the handler
(and the checks) that a mouse click runs.
"""

from __future__ import annotations

APPROVE_ID = "dd-approve"
REGENERATE_ID = "dd-regenerate"

HINT = "Shortcuts: **Ctrl+Enter** approves · **Ctrl+Shift+Enter** or **Alt+R** regenerates"

# Gradio runs this function once when the page loads (`js=` of mount_gradio_app). The listener
# sits on the capture phase so it acts before a textbox turns Ctrl+Enter into a newline or a
# submit, and a button on a hidden tab (offsetParent null) is never pressed.
SHORTCUTS_JS = f"""
() => {{
  const press = (id) => {{
    const button = document.getElementById(id);
    if (!button || button.offsetParent === null || button.disabled) return false;
    button.click();
    return true;
  }};
  document.addEventListener("keydown", (event) => {{
    const ctrl = event.ctrlKey || event.metaKey;
    let target = null;
    if (ctrl && event.key === "Enter") target = event.shiftKey ? "{REGENERATE_ID}" : "{APPROVE_ID}";
    else if (event.altKey && !ctrl && event.code === "KeyR") target = "{REGENERATE_ID}";
    if (target && press(target)) {{
      event.preventDefault();
      event.stopPropagation();
    }}
  }}, true);
}}
"""
