/** bench/signin's data, created through the API: a tenant, its administrator and `users` staff members. */
import type { Target } from "./signin-load.ts";

export async function seedSignin(
  base: string,
  operator: string,
  password: string,
  users: number,
): Promise<Omit<Target, "port">> {
  const call = async (method: string, url: string, body: unknown, token?: string) => {
    const res = await fetch(base + url, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const tenant = "bench-signin";
  await call(
    "POST",
    "/api/v1/tenants",
    {
      slug: tenant,
      name: "Bench sign-in",
      admin: { username: "admin", email: "admin@bench.example", firstName: "A", lastName: "Admin", password },
    },
    operator,
  );
  const admin = (await call("POST", "/api/v1/auth/login", { tenant, login: "admin", password })) as {
    token: string;
    user: { id: string; roleId: string };
  };
  const logins: string[] = [];
  for (let i = 0; i < users; i++) {
    const username = `staff${i}`;
    await call(
      "POST",
      "/api/v1/users",
      {
        username,
        email: `${username}@bench.example`,
        firstName: "Staff",
        lastName: `Member ${i}`,
        roleId: admin.user.roleId,
        password,
        mustChangePassword: false,
      },
      admin.token,
    );
    logins.push(username);
  }
  return { tenant, logins, password, token: admin.token, subject: admin.user.id };
}
