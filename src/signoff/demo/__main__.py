"""`python -m signoff.demo`: the control plane with a seeded demo data set (`make run`)."""

from signoff.demo.server import main

if __name__ == "__main__":
    raise SystemExit(main())
