/** API shapes as the SDK returns them (derived, so the console needs no other import). */
import type { Staffgate } from "@staffgate/sdk";

export type Me = Awaited<ReturnType<Staffgate["auth"]["me"]>>;
export type LoginResult = Awaited<ReturnType<Staffgate["auth"]["login"]>>;
export type User = Awaited<ReturnType<Staffgate["users"]["list"]>>["items"][number];
export type Role = Awaited<ReturnType<Staffgate["roles"]["list"]>>["items"][number];
export type Seats = Awaited<ReturnType<Staffgate["users"]["seats"]>>;
/** "current": everyone not switched off or archived (active and invited), the list's default. */
export type UserStatusFilter = "current" | "active" | "inactive" | "invited" | "archived" | "all";
export type CreateUserInput = Parameters<Staffgate["users"]["create"]>[0];
