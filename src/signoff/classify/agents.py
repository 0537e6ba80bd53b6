"""Agent instructions: files coding agents read as instructions, tools or permissions.

Paths are matched in any case, folders included, where tools or case-insensitive filesystems
(macOS, Windows) would read a variant, so neither `claude.md` nor `.Claude/commands/x.md` slips
past the rules for `CLAUDE.md` and `.claude/`. Location does not lower the class: an
`AGENTS.md` under docs/ still steers an agent working there. Markdown under a folder named `agents`,
`prompts` or `skills` is read by agents by convention (subagents, prompt libraries, skills and
their references). A Markdown file whose front matter declares an agent, command or skill, and a
config file that sets an agent's tools or permissions, are recognised by their content
(`signoff.classify.content`).
"""

from __future__ import annotations

from signoff.classify.rules import AnyCase, RuleClassifier, any_case_paths, specific
from signoff.taxonomy import FileClass

_MCP = "MCP server config: which tools an agent may call"


class AgentInstructions(RuleClassifier):
    ident = "agent-instructions"
    desc = "AGENTS.md, CLAUDE.md, agent tool folders, Copilot instructions, prompts and MCP configs"
    rules = any_case_paths(
        specific(
            FileClass.AGENT_INSTRUCTIONS,
            (AnyCase("AGENTS.md"), "AGENTS.md: instructions coding agents read, at any depth"),
            (AnyCase("AGENTS.*.md"), "AGENTS.md override or variant"),
            (AnyCase("AGENT.md"), "AGENT.md: agent instructions (Amp and others)"),
            (AnyCase("CLAUDE.md"), "CLAUDE.md: Claude Code memory and instructions"),
            (AnyCase("CLAUDE.*.md"), "CLAUDE.local.md or variant: Claude Code memory"),
            (AnyCase("GEMINI.md"), "GEMINI.md: Gemini CLI context"),
            (".claude/", "Claude Code settings, hooks, commands and subagents"),
            (".cursor/", "Cursor rules, settings and MCP config"),
            (".cursorrules", "Cursor rules"),
            (".cursorignore", "what Cursor's agent may read"),
            (".cursorindexingignore", "what Cursor indexes"),
            (".github/copilot-instructions.md", "GitHub Copilot repository instructions"),
            (".github/instructions/", "GitHub Copilot path-specific instructions"),
            (".github/prompts/", "GitHub Copilot prompt files"),
            (".github/chatmodes/", "GitHub Copilot chat modes"),
            (".github/agents/", "GitHub Copilot custom agents"),
            (".github/copilot/", "GitHub Copilot configuration"),
            (
                ".github/workflows/copilot-setup-steps.y*ml",
                "prepares the Copilot coding agent's environment",
            ),
            ("*.prompt.md", "prompt file"),
            ("*.instructions.md", "instructions file"),
            ("*.chatmode.md", "chat mode file"),
            ("*.agent.md", "custom agent definition"),
            (".mcp.json", _MCP),
            ("mcp.json", _MCP),
            (".vscode/mcp.json", _MCP),
            ("claude_desktop_config.json", _MCP),
            (".codex/", "OpenAI Codex configuration"),
            (".gemini/", "Gemini CLI settings"),
            (".geminiignore", "what Gemini CLI may read"),
            (".aider*", "aider configuration and conventions"),
            (".windsurfrules", "Windsurf rules"),
            (".windsurf/", "Windsurf rules and workflows"),
            (".clinerules/", "Cline rules (a file or a folder)"),
            (".clineignore", "what Cline may read"),
            (".roo/", "Roo Code rules"),
            (".roomodes", "Roo Code modes"),
            (".rooignore", "what Roo Code may read"),
            (".cline/", "Cline skills, workflows and settings"),
            (".codebuffignore", "what Codebuff may read"),
            ("codebuff.json", "Codebuff project config: commands it runs, its agents"),
            (AnyCase("knowledge.md"), "knowledge.md: Codebuff's instructions, at any depth"),
            (AnyCase("*.knowledge.md"), "Codebuff knowledge file"),
            (".greptile/**/*.md", "Greptile rules: what an AI reviewer is told"),
            (".worktreeinclude", "ignored files Claude Code copies into an agent's worktree"),
            (".warpindexingignore", "what Warp's agent indexes"),
            (".devin/", "Devin configuration"),
            (".junie/", "JetBrains Junie guidelines"),
            (".kiro/", "Kiro steering and specs"),
            (".continue/", "Continue rules and config"),
            (".continuerules", "Continue rules"),
            (".goosehints", "Goose hints"),
            (".openhands/", "OpenHands microagents"),
            (".amazonq/", "Amazon Q rules"),
            (".aiexclude", "what Gemini Code Assist may read"),
            (".agents/", "agent rules folder"),
            (".rules", "Zed agent rules"),
            (AnyCase("QWEN.md"), "QWEN.md: Qwen Code context"),
            (AnyCase("WARP.md"), "WARP.md: Warp agent rules"),
            (AnyCase("SKILL.md"), "agent skill definition"),
            (".qwen/", "Qwen Code settings"),
            (".kilocode/", "Kilo Code rules and settings"),
            (".kilocodemodes", "Kilo Code modes"),
            (".opencode/", "opencode agents, commands and settings"),
            ("opencode.json", "opencode configuration: agents, tools, MCP servers"),
            ("opencode.jsonc", "opencode configuration: agents, tools, MCP servers"),
            ("crush.json", "Crush configuration: tools, MCP servers, permissions"),
            (".crush.json", "Crush configuration: tools, MCP servers, permissions"),
            (".factory/", "Factory droids and settings"),
            (".trae/", "Trae rules"),
            (".augment/", "Augment rules"),
            (".claude-plugin/", "Claude Code plugin or marketplace manifest"),
            (".cursor-plugin/", "Cursor plugin or marketplace manifest"),
            (
                "gemini-extension.json",
                "Gemini CLI extension manifest: MCP servers and context files",
            ),
            (
                "managed-settings.json",
                "Claude Code managed settings: permissions set by an administrator",
            ),
            ("agents.toml", "agent skills manifest: which skills agents install, from where"),
            ("skills-lock.json", "pins the agent skills installed, by hash"),
            ("**/agents/**/*.md", "Markdown in an `agents` folder: agent definitions and guidance"),
            ("**/prompts/**/*.md", "Markdown in a `prompts` folder: prompt files"),
            ("**/skills/**/*.md", "Markdown in a `skills` folder: skills and their references"),
        )
    )
