body { color: red }
