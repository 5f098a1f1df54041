FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY workers ./workers
COPY templates ./templates
USER node
EXPOSE 3000
# Override the command with "worker" or "web" to run one role per container.
ENTRYPOINT ["node", "bin/winnow.js"]
CMD ["start"]
