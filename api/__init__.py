"""The partner REST API (issue 19), `/api/v1/`: keys, read endpoints, measurements and attendance pushed by
partners' systems, problem details, ETags, rate limits, and its OpenAPI schema. The top layer: it reads every
app through its services and selectors, and decides nothing about access (`qic.access`)."""
