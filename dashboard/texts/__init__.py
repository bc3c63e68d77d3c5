"""Labels of each page, one module per page, each with a TEXT dict (key -> (Vietnamese, English)).

dashboard/i18n.py merges them with the shell's labels; a key defined twice stops the import.
"""
