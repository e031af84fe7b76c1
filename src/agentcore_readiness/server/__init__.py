"""The MCP server: the tools, prompts and resources over stdio and streamable HTTP."""
