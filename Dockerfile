# Multi-stage build on Debian 12: build with the same apt packages as scripts/install-deps.sh,
# run as an unprivileged user with the default config.
FROM debian:12 AS build
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake ninja-build pkg-config libevent-dev libnghttp2-dev libssl-dev \
      libmaxminddb-dev libsimdjson-dev libyaml-cpp-dev libpcre2-dev librdkafka-dev zlib1g-dev \
      libgtest-dev libgmock-dev libbenchmark-dev uap-core python3 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake --preset release -DCONSENTRY_TESTS=OFF -DCONSENTRY_BENCH=OFF \
    && cmake --build --preset release --target consentry \
    && strip build/release/consentry

FROM debian:12-slim
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libevent-core-2.1-7 libevent-extra-2.1-7 libevent-pthreads-2.1-7 libnghttp2-14 libssl3 \
      libmaxminddb0 libsimdjson14 libyaml-cpp0.7 libpcre2-8-0 librdkafka1 zlib1g uap-core curl \
      ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/consentry --create-home --shell /usr/sbin/nologin consentry
COPY --from=build /src/build/release/consentry /usr/local/bin/consentry
COPY conf/ /etc/consentry/
USER consentry
WORKDIR /var/lib/consentry
EXPOSE 8080 9901
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
  CMD curl -fsS http://127.0.0.1:9901/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/consentry"]
CMD ["-c", "/etc/consentry/consentry.yaml"]
