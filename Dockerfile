# Airbyte-ready image for tap-infusionsoft (also a plain Singer tap: docker run ... --config ...).
# Build: docker build -t airbyte/source-infusionsoft:0.2.0 .
# Airbyte runs connectors on amd64; for both architectures:
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/source-infusionsoft:0.2.0 --push .

# Build stage: compile TypeScript (src/ only) with the locked dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: only the compiled code, production dependencies and the shipped data.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# Airbyte expects a non-root user named `airbyte` owning a writable /airbyte (where the platform
# mounts config.json and catalog.json). The image's `node` user (uid/gid 1000) becomes `airbyte`,
# so the uid Airbyte's pods run as (1000) is this user. The code itself stays root-owned, read-only.
RUN groupmod --new-name airbyte node \
 && usermod --login airbyte --home /home/airbyte --move-home --gid airbyte node \
 && mkdir -p /airbyte/integration_code \
 && chown airbyte:airbyte /airbyte
WORKDIR /airbyte/integration_code
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist/src ./dist/src
COPY package.json spec.json ./
COPY schemas ./schemas
COPY catalogs ./catalogs
USER airbyte
ENV AIRBYTE_ENTRYPOINT="node --max-semi-space-size=8 /airbyte/integration_code/dist/src/main.js"
ENTRYPOINT ["node", "--max-semi-space-size=8", "/airbyte/integration_code/dist/src/main.js"]
LABEL io.airbyte.name=airbyte/source-infusionsoft
LABEL io.airbyte.version=0.2.0
LABEL org.opencontainers.image.title="tap-infusionsoft" \
      org.opencontainers.image.description="Airbyte source and Singer tap for Infusionsoft (Keap): REST v2 and XML-RPC" \
      org.opencontainers.image.licenses="MIT"
