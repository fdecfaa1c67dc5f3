"""What the commands of a CI script do: the ActionKind, the files it targets, its options.

* reader.py: ScriptReader, which splits a script into commands and dispatches each to its tool family.
* split.py: a script as simple commands (continuations, here-documents, operators, quoting).
* words.py: the words of a command: options, program names, wrappers peeled off, report text.
* variables.py: variables substituted, paths resolved against the working directory.
* model.py: what a scan finds (Found, FoundLogin, Scan) and the shell state it follows.
* One module per tool family: az.py (az ml, az deployment, sign-ins), iac.py (terraform, bicep),
  python.py (python scripts, test runners, linters), scoring.py (HTTP calls to a scoring URI),
  shell.py (shells, script files and Makefiles, followed into), platforms.py (DVC, Databricks,
  AWS, Google Cloud, package installers and project console scripts).
"""
