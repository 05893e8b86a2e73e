"""User pool groups (``groups``): CreateGroup ... ListUsersInGroup, and the
``cognito:groups`` / ``cognito:roles`` claims of tokens."""
