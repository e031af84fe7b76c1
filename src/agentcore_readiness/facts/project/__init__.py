"""What the project declares and builds: its configuration (both layouts), build plans,
Dockerfiles, dependency files and ignore files."""
