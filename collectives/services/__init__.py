"""Business rules of the collectives: members and seats, invitations, the agreement, the backbone."""
