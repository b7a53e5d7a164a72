/* Nothing to import: the shim only defines a symbol the Swift runtime needs on Debian. */
