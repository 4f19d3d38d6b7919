// A worker's liveness and readiness, for an orchestrator's probes (Kubernetes, Nomad, a load
// balancer): GET /live and GET /ready answer 200 or 503 with a JSON body saying why.
import { json, type Answer } from './endpoints.ts'

export interface Health {
  /** The worker's loop turns (it is not stuck). */
  live: boolean
  /** It can take jobs: registered, its database answers, it listens for notifications. */
  ready: boolean
  /** What is wrong, when either is false. */
  problems: string[]
}

/** The probes' routes, answering from `health()`. */
export function healthRoutes(health: () => Health): Record<string, () => Answer> {
  return {
    '/live': () => {
      const { live, problems } = health()
      return json(live ? 200 : 503, { live, problems })
    },
    '/ready': () => {
      const { ready, problems } = health()
      return json(ready ? 200 : 503, { ready, problems })
    },
  }
}
