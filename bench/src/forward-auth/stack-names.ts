/**
 * The forward-auth stacks, each nginx in front of the same `node:http` backend: with no authentication,
 * with `auth_request` to an endpoint that always answers 200 (the floor), and with `latchkey serve`
 * deciding. Each stands where one server process stands for the other scenarios.
 */
export const forwardAuthStacks = ['nginx-no-auth', 'nginx-auth-floor', 'nginx-latchkey'] as const

export type ForwardAuthStack = (typeof forwardAuthStacks)[number]

export function isForwardAuthStack(server: string): server is ForwardAuthStack {
  return (forwardAuthStacks as readonly string[]).includes(server)
}
