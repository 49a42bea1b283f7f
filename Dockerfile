# Airbyte-ready image for tap-infusionsoft (also a plain Singer tap: docker run ... --config ...).
# Build stage: compile TypeScript with the locked dev dependencies.
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
WORKDIR /airbyte/integration_code
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist/src ./dist/src
COPY package.json spec.json ./
COPY schemas ./schemas
COPY catalogs ./catalogs
# Never run as root: the image's `node` user (uid 1000) owns nothing it does not need.
USER node
ENV AIRBYTE_ENTRYPOINT="node /airbyte/integration_code/dist/src/main.js"
ENTRYPOINT ["node", "/airbyte/integration_code/dist/src/main.js"]
LABEL io.airbyte.name=airbyte/source-infusionsoft
LABEL io.airbyte.version=0.1.0
LABEL org.opencontainers.image.title="tap-infusionsoft" \
      org.opencontainers.image.description="Airbyte source and Singer tap for Infusionsoft (Keap) XML-RPC" \
      org.opencontainers.image.licenses="MIT"
