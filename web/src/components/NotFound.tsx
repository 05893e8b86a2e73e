import { Link } from '../router';

export function NotFound() {
  return (
    <div className="narrow center-text">
      <h1>This page does not exist</h1>
      <p className="lead">The link may be old, or mistyped.</p>
      <p>
        <Link to="/" className="btn btn-primary">
          Back to TravelGuide
        </Link>
      </p>
    </div>
  );
}
