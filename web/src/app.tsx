import { ApiProvider } from "./api.tsx";
import { PageTitle } from "./components/PageTitle.tsx";
import { I18nProvider, useI18n } from "./i18n.tsx";
import { AdminGate, AdminPage, AdminScreeningPage } from "./pages/Admin.tsx";
import { DashboardPage } from "./pages/Dashboard.tsx";
import { MoviesPage } from "./pages/Movies.tsx";
import { MyPage, MyReservationPage } from "./pages/MyPage.tsx";
import { ReservationResultPage } from "./pages/ReservationResult.tsx";
import { ScreeningPage } from "./pages/Screening.tsx";
import { SignInPage } from "./pages/SignIn.tsx";
import { Link, match, navigate, useLocation } from "./router.tsx";
import { SessionProvider, useSession } from "./session.tsx";

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <ApiProvider>
          <Layout />
        </ApiProvider>
      </SessionProvider>
    </I18nProvider>
  );
}

function Layout() {
  const { t, lang, setLang } = useI18n();
  const { session, signOut } = useSession();
  const path = useLocation().pathname;
  const current = (prefix: string) => (prefix === "/" ? path === "/" || path.startsWith("/screenings") : path.startsWith(prefix)) ? "page" : undefined;
  return (
    <>
      <a className="skip-link" href="#main">{t("app.skip")}</a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">▶</span> {t("app.name")}
          </Link>
          <nav aria-label={t("nav.main")}>
            <ul>
              <li><Link to="/" aria-current={current("/")}>{t("nav.movies")}</Link></li>
              {session && <li><Link to="/me" aria-current={current("/me")}>{t("nav.me")}</Link></li>}
              {session?.role === "admin" && <li><Link to="/admin" aria-current={path.startsWith("/admin") && !path.startsWith("/admin/dashboard") ? "page" : undefined}>{t("nav.admin")}</Link></li>}
              {session?.role === "admin" && <li><Link to="/admin/dashboard" aria-current={current("/admin/dashboard")}>{t("nav.dashboard")}</Link></li>}
              {/* A separate page (not part of this app's routes): a full page load. */}
              <li><a href="/ide">{t("nav.ide")}</a></li>
            </ul>
          </nav>
          <div className="header-tools">
            <button type="button" className="button button-ghost small" lang={lang === "ko" ? "en" : "ko"} aria-label={t("nav.languageLabel")} onClick={() => setLang(lang === "ko" ? "en" : "ko")}>
              {t("nav.language")}
            </button>
            {session ? (
              <>
                <span className="who" data-testid="who">
                  {session.userId} <span className="muted">({t(`role.${session.role}`)})</span>
                </span>
                <button
                  type="button"
                  className="button button-ghost small"
                  onClick={() => {
                    signOut();
                    navigate("/");
                  }}
                >
                  {t("nav.signOut")}
                </button>
              </>
            ) : (
              <Link className="button button-primary small" to={`/signin?returnTo=${encodeURIComponent(path)}`}>{t("nav.signIn")}</Link>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="content">
        <Page path={path} />
      </main>
    </>
  );
}

function Page({ path }: { path: string }) {
  const { t } = useI18n();
  let params: Record<string, string> | null;
  if (path === "/") return <MoviesPage />;
  if ((params = match("/screenings/:id", path))) return <ScreeningPage key={params.id} id={params.id!} />;
  if ((params = match("/reservations/:id", path))) return <ReservationResultPage key={params.id} id={params.id!} />;
  if (match("/me", path)) return <MyPage />;
  if ((params = match("/me/:id", path))) return <MyReservationPage key={params.id} id={params.id!} />;
  if (match("/admin", path)) return <AdminGate><AdminPage /></AdminGate>;
  if (match("/admin/dashboard", path)) return <AdminGate><DashboardPage /></AdminGate>;
  if ((params = match("/admin/screenings/:id", path))) return <AdminGate><AdminScreeningPage key={params.id} id={params.id!} /></AdminGate>;
  if (match("/signin", path)) return <SignInPage />;
  return (
    <>
      <PageTitle>{t("notFound.title")}</PageTitle>
      <Link to="/">{t("notFound.home")}</Link>
    </>
  );
}
