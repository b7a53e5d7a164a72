"""What the app checks share: where a tree-sitter parse went wrong."""


def syntax_errors(tree):
    """(line, column, kind) of every ERROR or MISSING node."""
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            kind = "missing " + node.type if node.is_missing else "syntax error"
            found.append((node.start_point[0] + 1, node.start_point[1] + 1, kind))
            continue
        if node.has_error:
            stack.extend(node.children)
    return sorted(found)
