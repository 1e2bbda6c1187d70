from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id with the parameters OWASP's Password Storage Cheat Sheet recommends: 19 MiB of
    memory, two passes, one lane. A login costs a few milliseconds of CPU rather than the 0.4 s
    of PBKDF2's 1.5 million iterations, so a class logging in together at an exam's start is not
    queued behind hashing, while a guess still needs 19 MiB, which keeps GPUs slow.

    Its algorithm name stays "argon2": hashes with other Argon2 parameters verify, and are
    rehashed with these at the next login."""

    memory_cost = 19456  # KiB
    time_cost = 2
    parallelism = 1
