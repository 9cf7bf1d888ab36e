# The server as a container image: `docker build -t mnist-gan .` at the project root, then
# `docker run -p 8000:8000 mnist-gan`. Two stages, so the image carries neither the compiler,
# the bundler nor the test tools: only production dependencies, the compiled server (dist/),
# the built web page (web/dist/) and the shipped models (models/).

# ---- build: compile the server and bundle the web page ----
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Dependencies first, so editing the source does not reinstall them. The scripts are skipped
# because `prepare` compiles src/, which is not copied yet; the build runs below instead.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

COPY . .
# A build without a web page still gets an (empty) web/dist, so the COPY below cannot fail;
# the server then answers / with a 503 that says to build the page.
RUN npm run build && mkdir -p web/dist

# ---- runtime: what `mnist-gan serve` needs and nothing more ----
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY models ./models

# The official Node image ships a user `node` (uid 1000); the server needs no root.
USER node
EXPOSE 8000

# Node 20 has fetch built in, so the check needs no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health') \
    .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

CMD ["node", "dist/cli.js", "serve"]
